"""The OpenAI wire format (and Azure OpenAI's routes): one module or sub-package per API family."""
