"""Pre-inspection briefings (精准普法): what to know about a unit before the visit, and the handout to leave."""
