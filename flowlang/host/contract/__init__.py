"""The Create-a-Flow contract (Elastic Path Flows OpenAPI document), shipped as package data."""
