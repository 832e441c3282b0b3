/** The Modal app double: in-process (`createModalAppApi`, for workerd) or served (`startModalAppDouble`). */

export type { ModalSandboxHost } from "./host-sandboxes";
export {
  createModalAppApi,
  type ModalAppApi,
  type ModalAppApiOptions,
  type ModalAppSandbox,
  type ModalDelays,
  type ModalFault,
  type ModalProxyToken,
  type ModalRoute,
  type ModalSandboxState,
  type RecordedModalRequest,
} from "./modal-app-api";
export { type ModalAppDouble, startModalAppDouble } from "./modal-app-double";
export { BOOTSTRAP_VARIABLES } from "./modal-app-requests";
