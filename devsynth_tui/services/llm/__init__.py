"""The model servers: the HTTP client for any OpenAI-compatible server and LM Studio's own endpoints,
backend choice, the embedded llama.cpp server, thinking, dynamic model selection."""
