// Preloaded into the console's Node server (NODE_OPTIONS=--require): resolves the vendor's REST
// domains, which its server only calls by name (its SSRF guard refuses 127.*), to the mock on
// loopback. Everything else resolves as usual.
const dns = require('dns');
const lookup = dns.lookup;
dns.lookup = function (host, opts, cb) {
  if (/(^|\.)tim\.qq\.com$|(^|\.)im\.qcloud\.com$/.test(host)) {
    if (typeof opts === 'function') { cb = opts; opts = {}; }
    return opts && opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
  }
  return lookup.apply(this, arguments);
};
