"""One Faust agent per stage: the I/O edge around each stage's pure logic."""
