"""Placeholder: routes for paths (being written)."""

from fastapi import APIRouter

router = APIRouter()
