"""flowlang: a small language and toolchain for the business logic of data integrations."""

__version__ = "0.1.0"
