// Preloaded into the process under test by bench/allocations.ts (`node --require`): SIGUSR2 starts
// V8's sampling heap profiler, counting objects the GC has already collected too (so the profile is
// what was allocated, not what is still alive); the next SIGUSR2 stops it and writes the profile to
// LOOM_ALLOCATION_PROFILE. Bench-only: nothing in Loom loads it.
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new Session();
session.connect();
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    const target = process.env.LOOM_ALLOCATION_PROFILE;
    if (!error && target) writeFileSync(target, JSON.stringify(result.profile));
  });
});
