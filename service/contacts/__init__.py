"""Write API of the contact aggregate: create, read, patch and delete a contact with its nested children."""
