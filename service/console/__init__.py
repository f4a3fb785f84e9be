"""The agent console and the definition editor: static pages and ES modules served by the product itself."""
