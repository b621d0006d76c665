"""What the rules know about a file: scopes and names, literal values and what a name certainly
holds, the SDK names, what a dictionary may hold, what kind of data object an expression is, and
the per-file context (findings, edits, suppression)."""
