"""The Qt bridge: the runner (asyncio ↔ worker threads), the open cloud's session and
resource feeds, server operations that follow a row, and the GUI thread's GC guard."""
