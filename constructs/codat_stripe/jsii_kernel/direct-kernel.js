// The jsii kernel, talking to Python over fds 3 (requests) and 4 (responses).
//
// Started by direct-kernel.sh with the path of the jsii runtime's lib/program.js. The
// program hard-codes fd 3 for both directions (the socket its relay gives it); it is run
// here with one change, fd 4 for responses. Output of the kernel's JavaScript is framed as
// the relay frames it ({"stdout"|"stderr": base64} lines on stderr), which the Python
// runtime decodes back onto the app's stdout and stderr.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const CHANNEL = 'readFD:3,writeFD:3';
const program = process.argv[2];
const source = fs.readFileSync(program, 'utf8');
if (source.split(CHANNEL).length !== 2) {
  // direct-kernel.sh and _kernel_channel.py check the same text before coming here.
  throw new Error(`${program}: jsii kernel channel not found; set CODAT_STRIPE_KERNEL_RELAY=1`);
}

const stderrWrite = process.stderr.write.bind(process.stderr);
function framed(stream) {
  return (chunk, encoding, callback) => {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(String(chunk), typeof encoding === 'string' ? encoding : 'utf8');
    const done = typeof encoding === 'function' ? encoding : callback;
    return stderrWrite(`${JSON.stringify({ [stream]: bytes.toString('base64') })}\n`, done);
  };
}
process.stdout.write = framed('stdout');
process.stderr.write = framed('stderr');

const kernel = new Module(program, module);
kernel.filename = program;
kernel.paths = Module._nodeModulePaths(path.dirname(program));
process.argv[1] = program;
kernel._compile(source.replace(CHANNEL, 'readFD:3,writeFD:4'), program);
