// Loads every module that registers fetches and converters. Importing this file is what
// makes the registry complete; the compiler and the docs catalog import it.
import './fetches/connection.js';
import './fetches/proxy-header.js';
import './fetches/internal.js';
import './fetches/http.js';
import './fetches/request-payload.js';
import './fetches/tls.js';
import './converters/binary.js';
import './converters/text.js';
import './converters/arithmetic.js';
import './converters/address.js';
