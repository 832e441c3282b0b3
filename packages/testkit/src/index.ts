/**
 * @nightshift/testkit: doubles of the outside services that cannot be reached from here. The
 * root exports the scripted model server (`startScriptedModel`); the other doubles have their
 * own entry points (`@nightshift/testkit/github`, `@nightshift/testkit/sandbox-host`).
 */
export * from "./model/index";
