"""Pages of incident management: the agent workspace (list, register, incident page) and the requester portal."""
