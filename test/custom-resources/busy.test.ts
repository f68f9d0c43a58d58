import { deleteUnlessBusy } from '../../src/custom-resources/handlers/busy';

const conflict = (message: string) => Object.assign(new Error(message), { name: 'ConflictException', $metadata: {} });

describe('deleteUnlessBusy', () => {
  test('a conflict from a change that ended before the busy check is sent again, not failed', async () => {
    const send = jest.fn()
      .mockRejectedValueOnce(conflict('Service orders is CREATE_IN_PROGRESS and can\'t be deleted now'))
      .mockResolvedValueOnce({});
    await deleteUnlessBusy('service orders', send, async () => false);
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('a conflict that stands while nothing changes fails with Proton\'s reason', async () => {
    const send = jest.fn().mockRejectedValue(conflict('Service orders has attached components'));
    await expect(deleteUnlessBusy('service orders', send, async () => false))
      .rejects.toThrow('Proton refuses to delete service orders: Service orders has attached components');
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('a conflict while the resource changes by itself is left to the next poll', async () => {
    const send = jest.fn().mockRejectedValue(conflict('busy'));
    await deleteUnlessBusy('service orders', send, async () => true);
    expect(send).toHaveBeenCalledTimes(1);
  });
});
