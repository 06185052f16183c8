"""Template helpers of the CRM pages: money, the seven-touch gauge, edit rights."""
