"""The polling side: fetch → parse → normalise → publish, one folder a stage."""
