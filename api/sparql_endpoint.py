"""Placeholder: the SPARQL 1.1 Protocol endpoint (being written)."""

from fastapi import APIRouter

router = APIRouter()
