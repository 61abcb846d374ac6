/** Never logged: credentials in headers and secrets in bodies. */
export const LOG_REDACTIONS = {
  paths: [
    'req.headers.authorization',
    'req.headers["x-api-key"]',
    'req.headers.cookie',
    '*.secret',
    '*.apiKey',
    '*.password',
    '*.token',
  ],
  censor: '[redacted]',
};
