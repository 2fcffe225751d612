"""Placeholder: routes for sources (being written)."""

from fastapi import APIRouter

router = APIRouter()
