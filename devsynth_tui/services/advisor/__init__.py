"""The advisor: facts about the session, checks by area, outcomes of applied advice."""
