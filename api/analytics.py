"""Placeholder: routes for analytics (being written)."""

from fastapi import APIRouter

router = APIRouter()
