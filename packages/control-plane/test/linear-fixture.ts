/** The Linear app the workerd tests install (against the testkit Linear double started in global-setup). */
export const LINEAR_APP = {
  clientId: "lin-client-0123456789",
  clientSecret: "lin-client-secret-0123456789abcdef",
  webhookSecret: "lin_wh_test_signing_secret_0123456789",
};
