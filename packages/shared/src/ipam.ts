// Address allocation. Owner: resolve.
export {};
