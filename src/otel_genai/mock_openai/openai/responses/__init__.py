"""The Responses API: the response object, its output items, and its typed event stream."""
