"""The CRM module's hookimpls: thin, each delegates to a service."""
