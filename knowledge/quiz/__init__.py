"""Quiz questions generated from the corpus articles: exam papers and daily practice."""

from knowledge.quiz.bank import QuizBank
from knowledge.quiz.models import KINDS, Question, QuizError

__all__ = ["KINDS", "Question", "QuizBank", "QuizError"]
