// Loaded before the app (`node --import ./scripts/quiet-warnings.mjs`), and its setting passed
// on by scripts/start.mjs: no warning a user can do nothing about. The AWS SDK warns at every
// start on Node 20 that versions from 2027 on need Node 22 (NodeVersionSupportWarning); its
// own switch turns that off. A value the user set is kept.
export const QUIET_ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

for (const [name, value] of Object.entries(QUIET_ENV)) process.env[name] ??= value;
