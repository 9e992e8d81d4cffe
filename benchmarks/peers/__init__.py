"""Peer scripts the whole-command benchmarks run beside ours, each as a process of its own."""
