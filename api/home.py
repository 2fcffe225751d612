"""Placeholder: the home page and /problems (being written)."""

from fastapi import APIRouter

router = APIRouter()
