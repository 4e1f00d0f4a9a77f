#!/usr/bin/env node
// Committed launcher: npm links bins at install time, before the build has made dist/.
require('../dist/main.js');
