"""Chat Completions: the plan of each choice, the ``chat.completion`` body, and its chunk stream."""
