"""The CRM module: prospects ("Interessenten") kept like customers, for the host application."""

MODULE_ID = "crm"
