// Public API of @truehop/proxy-protocol. (Being built: see issue "truehop foundation and the
// PROXY protocol codec".)
export * from './constants.js';
export * from './header.js';
export * from './errors.js';
