"""Inspector training: hours by kind and topic, quiz results, and the year's report against the rule."""
