"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.newCspNonce = newCspNonce;
exports.bridgeSecurityHeaders = bridgeSecurityHeaders;
const node_crypto_1 = require("node:crypto");
const helmet_1 = __importDefault(require("/work/main/node_modules/helmet"));
const LOCALS_KEY = 'luminateSsoCsp';
function newCspNonce() {
    return (0, node_crypto_1.randomBytes)(16).toString('base64');
}
function handoffCsp(res) {
    return res.locals?.[LOCALS_KEY];
}
/**
 * Headers on every bridge response: helmet's defaults (nosniff, frame-ancestors, COOP…) with a
 * strict CSP whose nonce and form targets are per response, `Referrer-Policy: no-referrer`
 * (the query may carry a destination or signature) and `Cache-Control: no-store` (tokens).
 * HSTS is left to the host app, which owns its domain policy.
 *
 * Returns a function to call just before responding: helmet computes the CSP when it runs, so it
 * runs once the handoff (and its nonce) is known.
 */
function bridgeSecurityHeaders() {
    const nonceSource = (_req, res) => {
        const csp = handoffCsp(res);
        return csp ? `'nonce-${csp.nonce}'` : "'none'";
    };
    const helmetMiddleware = (0, helmet_1.default)({
        contentSecurityPolicy: {
            useDefaults: false,
            directives: {
                defaultSrc: ["'none'"],
                scriptSrc: [nonceSource],
                styleSrc: [nonceSource],
                baseUri: ["'none'"],
                frameAncestors: ["'none'"],
                // Chrome applies form-action to the redirects that follow a form POST as well.
                formAction: [(_req, res) => handoffCsp(res)?.formActionOrigins.join(' ') || "'none'"],
            },
        },
        strictTransportSecurity: false,
        referrerPolicy: { policy: 'no-referrer' },
    });
    return (req, res, csp) => {
        if (csp)
            res.locals[LOCALS_KEY] = csp;
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Pragma', 'no-cache');
        let failure;
        helmetMiddleware(req, res, (err) => {
            failure = err;
        });
        if (failure)
            throw failure;
    };
}
