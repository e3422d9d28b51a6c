"""The annual report on enforcement and outreach (执法普法工作情况报告): figures from the records, a Word file."""
