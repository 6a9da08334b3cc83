from monitor.normalise.articles import ArticleNormaliser, Candidate, digest, is_story
from monitor.normalise.stories import StoryIndex
from monitor.normalise.text import html_to_text
from monitor.normalise.urls import canonical_url

__all__ = ["ArticleNormaliser", "Candidate", "StoryIndex", "canonical_url", "digest", "html_to_text", "is_story"]
