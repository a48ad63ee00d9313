"""Privacy: recognising personal data in text and replacing it by typed placeholders,
for everything that leaves the office (shared exports, views, pushes)."""
