"""The editor side of flowlang: tools that read flows without running them (graph: flowcharts)."""
