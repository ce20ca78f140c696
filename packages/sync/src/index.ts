// Filled by the sync issue: discovery and import of Claude Code's own transcripts.
export {};
