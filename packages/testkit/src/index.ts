/**
 * @nightshift/testkit: doubles of the outside services that cannot be reached from here.
 * Today: the scripted model server (`startScriptedModel`).
 */
export * from "./model/index";
