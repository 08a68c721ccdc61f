"""The provider-neutral core: invocation record -> spans, metrics and events."""
