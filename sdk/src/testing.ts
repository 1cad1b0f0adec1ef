/** hostmesh/testing: in-memory sessions for a game's own tests. */
export {};
