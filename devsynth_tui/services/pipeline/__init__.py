"""The request pipeline: every model call goes through it (``services/requests.py`` runs it for every consumer).

``request`` holds what goes in and what comes out (``ChatRequest``, ``Prepared``,
``Notice``, ``Done``); ``messages`` builds the messages sent and counts their parts;
``stages`` holds the prompt, history and model stages; ``accounting`` makes the one
ledger row of each call; ``pipeline`` is the ``Pipeline`` that runs them all.
"""
