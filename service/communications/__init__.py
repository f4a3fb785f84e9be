"""Write API of communications (calls, conversations, interactions, notes) logged against a contact."""
