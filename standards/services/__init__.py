"""Every state change of the standards domain, one module per entity.

Each function checks the state it moves from and the actor, changes rows, writes the audit entry and
queues notifications inside the caller's transaction (it flushes, never commits).
"""
