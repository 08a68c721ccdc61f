"""What the mock says, whatever the API: reply texts, toy tokens, sample JSON, and which tools to call."""
