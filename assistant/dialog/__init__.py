"""The dialog: the manager that runs a turn, its handlers, and the conversation's state."""
