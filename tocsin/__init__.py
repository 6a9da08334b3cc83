"""Tocsin: news monitoring for air-attack reports, records and threshold alerts."""

__version__ = "0.1.0"
