// The seeding the demo does at run time, for tests: see lib/devstack/kube-seed.ts for the API.
export * from '../../lib/devstack/kube-seed';
